from vnform.cli import main

raise SystemExit(main())
