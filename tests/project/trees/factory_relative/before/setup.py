from setuptools import setup

setup(name="factory-relative")
