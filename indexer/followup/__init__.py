"""What follows a change, across the archive.

Enters: the catalog after letters were added, read again or corrected (its queues). Leaves:
scans recognised, copies grouped, archive-wide inference recorded, index work applied
(`steps.follow_up`, one path for every caller); staff corrections validated and stored;
citations resolved to archived letters; fixity and consistency checked; per-field accuracy
measured.
"""
