"""What the office reports upward: 汇总表, the full risk export, the dashboard."""
