import re


def last_number(text):
    numbers = re.findall(r"-?\d+", text)
    return numbers[-1] if numbers else None
