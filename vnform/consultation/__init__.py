"""Consultations on draft policies: the draft split into articles (:mod:`.document`)."""
