package io.tracestitch.jobs;

final class Demo {
    static int run(String[] args) {
        throw new UnsupportedOperationException("demo comes with the simulator");
    }
}
