"""The other intake channels (其他来源): online opinion, leaders' inspections, chat groups, video cameras.

A sub-domain of the hotline layer with the standard file names: ``models`` (records and their ``ChannelEvent``
history; ``hotlines.models`` re-exports them for Django), ``services`` (every write), ``cases`` (raising a record's
case through the cases layer's intake), ``views``/``forms``/``filtersets`` (console) and ``api`` (REST)."""
