"""Write the embedded bank table as bank.csv, and a copy with one bad cell as garbage.csv,
into the current folder: the files the ch5-tabular page runs --csv on. The ID and ZIP Code
columns are left out, as the recipe does for its own copy of the table."""
import csv

from ember.datasets import load_bank

table = load_bank(as_frame=False)          # {column: list of values}
names = [n for n in table if n not in ("ID", "ZIP Code")]
rows = list(zip(*(table[n] for n in names)))
for path, bad_row in (("bank.csv", None), ("garbage.csv", 41)):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for i, row in enumerate(rows):
            if i == bad_row:
                row = tuple("n/a?" if n == "Income" else v for n, v in zip(names, row))
            w.writerow(row)
    print(f"wrote {path}: {len(rows)} rows, columns {', '.join(names)}")
