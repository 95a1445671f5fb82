package dev.turnout;
public final class Main { public static void main(String[] a) {} }
