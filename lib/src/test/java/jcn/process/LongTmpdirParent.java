package jcn.process;

import java.time.Duration;

/**
 * A parent JVM for {@link HubPlaceTest}, started with a very long {@code java.io.tmpdir}: one
 * queue (which opens the hub's socket) and one child that puts into it through that socket.
 */
public final class LongTmpdirParent {

    private LongTmpdirParent() {
    }

    public static void main(String[] args) throws Exception {
        try (ProcessQueue<String> queue = ProcessQueue.create()) {
            ChildProcess<Void> child = ChildProcess.start(() -> {
                queue.put("up");
                return null;
            });
            String got = queue.get(Duration.ofSeconds(30));
            child.result();
            System.out.println("got " + got + "; socket " + Hub.current().socket);
        }
    }
}
