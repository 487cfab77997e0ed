"""Role home pages (工作台) at ``/``: what each user must do now, with numbers linking to the lists they count.

Lives in the evaluation layer because it reads every layer below: case queues and deadlines (cases), hotline
orders (hotlines), the rollups, the bulletin's headline rates and the self-evaluations (evaluation)."""
