#!/usr/bin/env python3
"""check_layers.py refuses upward includes and accepts downward ones, on small trees made here."""
import pathlib
import subprocess
import sys
import tempfile

CHECKER = pathlib.Path(__file__).with_name("check_layers.py")


def run(files: dict):
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "src").mkdir()
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        done = subprocess.run([sys.executable, str(CHECKER), str(root)], capture_output=True,
                              text=True)
        return done.returncode, done.stdout + done.stderr


CASES = [
    ("a private header of a higher layer",
     {"src/core/number.cpp": '#include "model/attributes.hpp"\n'}, 1,
     "layer 'core' includes 'model/attributes.hpp' from layer 'model'"),
    ("a public header of a higher layer, from a public header",
     {"include/dynomite/transport/endpoint.hpp": "#include <dynomite/auth/credentials.hpp>\n"}, 1,
     "layer 'transport' includes 'dynomite/auth/credentials.hpp' from layer 'auth'"),
    ("a top-level header that reaches a higher layer",
     {"include/dynomite/model.hpp": "#include <dynomite/model/base.hpp>\n",
      "src/query/relation.cpp": "#include <dynomite/model.hpp>\n"}, 1,
     "layer 'query' includes 'dynomite/model.hpp' from layer 'model'"),
    ("headers of the same layer and of lower ones",
     {"src/client/client.cpp": '#include "auth/sigv4.hpp"\n#include <dynomite/client/client.hpp>\n'
                               "#include <dynomite/core/error.hpp>\n#include <boost/asio.hpp>\n"},
     0, "include only their own layer and those below"),
]

failed = 0
for name, files, want_status, want_text in CASES:
    status, output = run(files)
    if status != want_status or want_text not in output:
        failed += 1
        print(f"FAILED: {name}: status {status} (wanted {want_status}), output:\n{output}")
    else:
        print(f"ok: {name}")
sys.exit(1 if failed else 0)
