"""The password rule, used by every form that sets a password."""
import re

from flask_appbuilder.exceptions import PasswordComplexityValidationError

MIN_LENGTH = 8
CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
RULE = f"密码至少 {MIN_LENGTH} 位，且须包含大写字母、小写字母、数字、符号中的至少三类。"


def check_complexity(password: str) -> None:
    password = password or ""
    kinds = sum(bool(re.search(c, password)) for c in CLASSES)
    if len(password) < MIN_LENGTH or kinds < 3:
        raise PasswordComplexityValidationError(RULE)

