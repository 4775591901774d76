"""The warehouse's assets: raw feeds (:mod:`.raw`) with their blocking quality gates
(:mod:`.checks`: row balance and great-expectations suites), and the dbt project (:mod:`.dbt`),
whose data tests are asset checks too."""
