"""Egenmakt's norm rule as an OpenFisca model, for bench/payment_run.py; runs in its own venv."""
