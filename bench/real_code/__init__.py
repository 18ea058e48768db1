"""Real-code differential harness: real TF1 call sites, run as written and after `rewrite --apply`.

`bench/real_code.py CORPUS_DIR` is the entry point; see its docstring and the README section
"Real code". Third-party code is never copied into this repository: sites refer to corpus
files by path, and drivers (`drivers/`) only construct inputs and call the project's own code.
"""
