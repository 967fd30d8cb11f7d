#!/usr/bin/env python3
"""Writes a department's list of demo residents as CSV (civicctl person import's columns) to
standard output: COUNT residents in households of 1–5 across the demo district's 27 grids,
with real check digits, then three bad rows (a short ID number, a bad phone, an unknown
grid). Deterministic: the same COUNT gives the same file. Used by ops/demo-people."""
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
rng = random.Random(19)
grids = [f"{area}-C{c}-G{g}" for area in ("QH-S1", "QH-S2", "QH-T1") for c in (1, 2, 3) for g in (1, 2, 3)]
surnames = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo"]
given = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Hui", "Ping", "Qiang", "Xiu", "Lan", "Hong", "Bo"]
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
checks = "10X98765432"


def id_number(birth: str, sequence: int) -> str:
    body = f"110105{birth}{sequence:03d}"
    return body + checks[sum(int(d) * w for d, w in zip(body, weights)) % 11]


print("id_number,name,gender,birth_date,phone,household_code,grid_unit_code,address,residence,employment")
written, household = 0, 0
while written < count:
    household += 1
    grid = rng.choice(grids)
    code = f"H{household:05d}"
    address = f"\"Building {rng.randint(1, 30)}, Room {rng.randint(1, 6)}0{rng.randint(1, 4)}\""
    surname = rng.choice(surnames)
    for _ in range(min(rng.randint(1, 5), count - written)):
        written += 1
        year = rng.randint(1930, 2020)
        birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        sequence = written % 1000
        ident = id_number(birth, sequence)
        gender = "male" if int(ident[16]) % 2 == 1 else "female"
        name = f"{surname} {rng.choice(given)}{rng.choice(given).lower()}"
        phone = f"13{rng.randint(100000000, 999999999)}" if year < 2008 else ""
        residence = "floating" if rng.random() < 0.15 else "registered"
        employment = "retired" if year < 1965 else ("student" if year > 2004 else rng.choice(["employed", "self-employed", "unemployed"]))
        print(f"{ident},{name},{gender},{birth[:4]}-{birth[4:6]}-{birth[6:]},{phone},{code},{grid},{address},{residence},{employment}")
print("12345,Too Short,,,,,QH-S1-C1-G1,,,")
print(f"{id_number('19800101', 999)},Bad Phone,,,12ab,,QH-S1-C1-G1,,,")
print(f"{id_number('19800102', 998)},Nowhere Grid,,,,,QH-NOWHERE,,,")
