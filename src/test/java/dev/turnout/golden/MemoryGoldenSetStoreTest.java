package dev.turnout.golden;

class MemoryGoldenSetStoreTest extends GoldenSetStoreContractTest {

    @Override
    protected GoldenSetStore newStore() {
        return GoldenSetStore.memory();
    }
}
