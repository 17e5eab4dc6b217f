"""The container image (deploy/Containerfile) and deploy/kubernetes/ run with podman.

scripts/test.sh builds the image first (scripts/image.sh, `make image`); a test
here fails when it is missing rather than building it in the middle of a run.
"""

from __future__ import annotations

import pytest

from local_stack.podman import IMAGE, missing


@pytest.fixture(scope="session")
def image() -> str:
    problem = missing()
    assert problem is None, problem
    return IMAGE
