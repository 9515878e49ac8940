package jcn.cluster;

import java.io.Serializable;
import java.util.concurrent.Callable;
import jcn.process.RemoteCode;

/**
 * What travels through Hazelcast's executor: a task packed by {@link RemoteCode}, cell classes
 * and notebook variables included. The member runs it on an executor thread (never a partition
 * thread, so the task may call the cluster) and answers with bytes the sender unpacks, so
 * Hazelcast itself never has to load a class written in a cell.
 */
record Parcel(byte[] packed) implements Callable<byte[]>, Serializable {

    @Override
    public byte[] call() {
        return RemoteCode.run(packed);
    }
}
