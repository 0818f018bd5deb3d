"""廉政风险点, 防控措施, 监督办法, 制度 and the registers (查找表/登记表) carrying them."""
