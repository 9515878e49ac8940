package jcn.process;

/**
 * A parent JVM for {@link OrphanTest}: starts a child that would sleep for a minute, prints
 * the child's pid and the pid of the standby JVM made once another child ended, then ends the
 * way its argument says.
 */
public final class OrphanParent {

    private OrphanParent() {
    }

    public static void main(String[] args) throws Exception {
        ChildProcess<Void> child = ChildProcess.<Void>start(() -> {
            Thread.sleep(60_000);
            return null;
        });
        // Wait until the child runs its task, so the test sees a child that is really working.
        try (ProcessQueue<String> ready = ProcessQueue.create()) {
            ChildProcess<Void> probe = ChildProcess.start(() -> {
                ready.put("up");
                return null;
            });
            ready.get();
            probe.result();
        }
        if (!ChildProcess.awaitStandby(java.time.Duration.ofSeconds(10)) || Standby.pids().isEmpty()) {
            throw new IllegalStateException("no standby JVM booted after a child ended");
        }
        System.out.println("standby " + Standby.pids().getFirst());
        System.out.println("child " + child.pid());
        System.out.flush();
        switch (args[0]) {
            case "returns" -> {
                return;
            }
            case "throws" -> throw new IllegalStateException("the parent fails");
            default -> Thread.sleep(60_000);
        }
    }
}
