"""Role definitions and rubric rules as data files, and the engine that scores profiles."""
