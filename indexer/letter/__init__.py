"""Reading a letter from its pages.

Enters: a letter's pages with positions (or plain text). Leaves: its metadata, where each
value was read, what needs review, its citations, and what its own text lets one infer,
each inferred value with its evidence. Nothing here touches the catalog.
"""
