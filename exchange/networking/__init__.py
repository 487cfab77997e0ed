"""Three-level networking (国家-省-市, CJJ/T 312-2021 / CJ/T 545-2021): what this city sends up to the provincial and
national platforms, how it gets there, and what the upper levels send down.

Modules: ``models`` (peers, the per-peer queue, the send log, held-back records, inbound items), ``records`` (the
payloads, in current national codes), ``services`` (queueing, hooks, inbound items, resync), ``delivery`` (signed
batches over HTTP), ``signing`` (HMAC-SHA256), ``tasks`` (Celery), ``views`` (the inbound endpoint), ``admin``.
"""
