"""Monthly bulletins (月度通报): contents and services (services.py), workbook (workbook.py), pages (views.py)."""
