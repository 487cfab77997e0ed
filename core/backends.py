"""The one authentication backend: django-axes' lockout check, then Django's username and password check.

One backend rather than axes' and Django's side by side, because ``User.objects.with_perm()`` (used to find who may
publish a bulletin) needs to be told which backend to use as soon as there are two.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(AxesStandaloneBackend, ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # Raises AxesBackendPermissionDenied (a PermissionDenied: authenticate() answers None) when locked out.
        # Without a request (a shell, the test client's login()) there is no address to count and nothing to lock.
        if request is not None:
            AxesStandaloneBackend.authenticate(self, request, username=username, password=password, **kwargs)
        return ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)
