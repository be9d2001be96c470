"""Settings package: base (shared), local (the embedded default), production and test.

Every value that differs between machines comes from the environment through `env` in base.py.
"""
