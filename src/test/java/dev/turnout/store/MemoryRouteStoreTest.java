package dev.turnout.store;

class MemoryRouteStoreTest extends RouteStoreContractTest {

    @Override
    protected RouteStore newStore(int historyLimit) {
        return RouteStore.memory(historyLimit);
    }
}
