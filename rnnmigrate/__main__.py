from rnnmigrate.cli import main

main()
