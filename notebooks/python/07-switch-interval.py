"""How often CPython asks the thread holding the GIL to let another thread run."""
import sys
import sysconfig

print(sys.version.split()[0], sys.getswitchinterval(), bool(sysconfig.get_config_var("Py_GIL_DISABLED")))
