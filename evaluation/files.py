"""Protected files of the evaluation layer (found by ``core.files``' autodiscovery): each sub-domain registers its
own."""

from evaluation.supervision import files  # noqa: F401
