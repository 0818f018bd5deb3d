"""后期处置, 廉政谈话 and the 廉政档案 of each cadre, with the log of who read it."""
