from qdispatch_cli.main import main

main()
