package jcn.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;
import jcn.process.RemoteCode;

/**
 * What travels through Hazelcast's executor: a task packed by {@link RemoteCode}, cell classes
 * and notebook variables included. The member runs it on an executor thread (never a partition
 * thread, so the task may call the cluster) and answers with bytes the sender unpacks, so
 * Hazelcast itself never has to load a class written in a cell.
 */
final class Parcel implements Callable<byte[]>, Serializable, HazelcastInstanceAware {

    private static final long serialVersionUID = 1L;

    private final byte[] packed;
    private transient HazelcastInstance member;

    Parcel(byte[] packed) {
        this.packed = packed;
    }

    /** Called by the member that deserialised this parcel, before {@link #call()}. */
    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public byte[] call() {
        // A member takes tasks as soon as it has joined, which is before newHazelcastInstance
        // returns in MemberMain: the instance the task needs comes with the task.
        MemberMain.learn(member);
        return RemoteCode.run(packed);
    }
}
