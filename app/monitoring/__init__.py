"""长效机制: 风险监测 (signals, measure checks), 预警纠错 (warnings from rules the
office edits, handled to the end) and 优化修正 (next year's round from this year's)."""
