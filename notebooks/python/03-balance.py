# Two threads share one global balance. Each repeatedly puts an amount in and takes the same
# amount out again, so a correct run ends at 0. Prints the final balance and the interpreter.
import sys
import threading

balance = 0


def deposit_then_withdraw(amount):
    global balance
    balance = balance + amount   # read, add, write back
    balance = balance - amount   # read, subtract, write back


def worker(amount, rounds):
    for _ in range(rounds):
        deposit_then_withdraw(amount)


rounds = int(sys.argv[1])
workers = [threading.Thread(target=worker, args=(amount, rounds)) for amount in (3, 11)]
for w in workers:
    w.start()
for w in workers:
    w.join()
gil = getattr(sys, "_is_gil_enabled", lambda: True)()
print(balance, sys.version.split()[0], "gil" if gil else "no-gil")
