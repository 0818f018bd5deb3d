"""职权目录 and 权力运行流程图 (programme step ②)."""
