"""Imports of what units already keep in Excel: the 职权目录 (in ``app.catalogue.importer``),
the 花名册 (:mod:`.people`) and risk registers in the paper layouts (:mod:`.registers`).
Each is all rows or none, with Chinese refusals naming the sheet, row and column
(:mod:`.common`); its page (:mod:`.views`) and ``flask --app run import …`` (:mod:`.cli`)
call the same function."""
