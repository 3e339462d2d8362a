from defaultlint.cli import main

main()
