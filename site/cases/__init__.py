"""Cases (民生诉求): citizens file and follow their cases, the 12345 hotline sends them in,
the case task force and the units handle them.

Public to other features: nothing (the personal data opened here stays here).
"""
