# A Thread subclass that keeps what its job returned and hands it back from join(). When the job
# raises, run() ends before the assignment, so there is nothing to hand back.
import threading


def report_death(args):   # one line instead of the default traceback
    print("  (thread %s died: %s: %s)" % (args.thread.name, args.exc_type.__name__, args.exc_value))


threading.excepthook = report_death


class Worker(threading.Thread):
    def __init__(self, job, *inputs):
        super().__init__(name="%s(%s)" % (job.__name__, ", ".join(map(str, inputs))))
        self.job, self.inputs = job, inputs

    def run(self):
        self.outcome = self.job(*self.inputs)

    def join(self, timeout=None):
        super().join(timeout)
        return self.outcome


class WorkerWithDefault(Worker):
    outcome = None   # the usual patch: a default, so join() never raises


def halve(n):
    if n % 2:
        raise ValueError("%d is odd" % n)
    return n // 2


for kind in (Worker, WorkerWithDefault):
    for n in (10, 7):
        w = kind(halve, n)
        w.start()
        try:
            print("%s, halve(%d): join() returned %r" % (kind.__name__, n, w.join()))
        except AttributeError as e:
            print("%s, halve(%d): join() raised AttributeError: %s" % (kind.__name__, n, e))
