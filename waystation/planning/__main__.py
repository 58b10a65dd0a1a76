from waystation.planning.cli import main

raise SystemExit(main())
