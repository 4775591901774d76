"""The warehouse's assets: raw feeds (:mod:`.raw`) and the dbt project (:mod:`.dbt`), whose data
tests are the asset checks."""
