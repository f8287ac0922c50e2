"""JupyterHub for one class on one server (The Littlest JupyterHub's recipe, by hand).

Run with `jupyterhub -f deploy/jupyterhub_config.py` on a VM where the series' environment is
installed (make setup, or `conda env create -f environment.yml`), plus
`jupyterhub-systemdspawner` (each student a systemd unit with its own memory and CPU limit) and
`jupyterhub-firstuseauthenticator` (students pick a password at first login), and the proxy:
`npm install -g configurable-http-proxy@5`. Hand out the notebooks with an nbgitpuller link
(deploy/README.md). The load test (tools/classroom.py) starts this very file, overriding only
the authenticator, the spawner, the ports and the state paths.
"""

import importlib.util
import sys

# ---- What a lecturer changes ----------------------------------------------------------------
# Who may open the admin panel (start/stop servers, add students).
ADMINS = {"lecturer"}
# Where the hub listens; put it behind HTTPS (TLJH does this with `tljh-config set https...`,
# or give JupyterHub.ssl_cert and ssl_key below).
BIND_URL = "http://:8000"
# Per student, from the load test (bench/classroom_results.md, tools/classroom.py MEASURED):
# memory a student's server and kernel may use, and what each is promised; at most one core.
MEM_LIMIT = "2G"
MEM_GUARANTEE = "1.5G"
CPU_LIMIT = 1.0
CPU_GUARANTEE = 0.38
# Stop a student's server after this long without activity (needs jupyterhub-idle-culler).
IDLE_SERVER_MINUTES = 60
# Shut a kernel down after this long idle: each open notebook keeps one, 0.3-0.9 GB each.
IDLE_KERNEL_MINUTES = 20
# What a student sees after logging in: the series' index, where nbgitpuller puts it.
DEFAULT_URL = "/lab/tree/cnn-rnn-series/notebooks/00_index.ipynb"
# ----------------------------------------------------------------------------------------------

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

c.JupyterHub.bind_url = BIND_URL
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.Authenticator.admin_users = ADMINS
c.Authenticator.allow_all = True  # anyone who can reach the hub may sign up: restrict as needed

c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.SystemdSpawner.dynamic_users = True  # no Unix accounts to create; each home persists
c.Spawner.mem_limit = MEM_LIMIT
c.Spawner.mem_guarantee = MEM_GUARANTEE
c.Spawner.cpu_limit = CPU_LIMIT
c.Spawner.cpu_guarantee = CPU_GUARANTEE
c.Spawner.default_url = DEFAULT_URL
c.Spawner.args = [
    f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_MINUTES * 60}",
    "--MappingKernelManager.cull_interval=60",
    # Every student's kernels run on this one machine. Over TCP each server picks free ports
    # for its kernels, and two servers starting kernels at once can pick the same one (the load
    # test lost a kernel to "ZMQError: Address already in use"); IPC sockets are files in each
    # student's own runtime folder (RUNTIME_DIR below).
    "--KernelManager.transport=ipc",
]
# torch would start one thread per core of the whole server for every student. A socket's path
# must stay under 108 characters, so the runtime folder is short: /tmp/jr-<user id>.
c.Spawner.environment = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JUPYTER_RUNTIME_DIR": lambda spawner: f"/tmp/jr-{spawner.user.id}",
}
c.SystemdSpawner.isolate_tmp = True  # each student's /tmp is their own
# Thirty students logging in at once start thirty servers: the defaults (60 s, 30 s) are short.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

if importlib.util.find_spec("jupyterhub_idle_culler") is not None:
    c.JupyterHub.services = [
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={IDLE_SERVER_MINUTES * 60}",
            ],
        }
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    ]
