from govanalytics.cli import main

main()
