"""Patrol tracks and presence (巡查轨迹与在岗): where collectors were while on duty, and whether they were there.

models.py      PatrolShift (班次) and TrackPoint (a position, in a table partitioned by day), PatrolAlert
partitions.py  the daily partitions of the track table: created ahead by beat, old days detachable
services.py    ingest(collector, points): the API's batch of positions, validated, written in one statement
figures.py     per collector and shift: time inside the duty grids (在岗率), distance, grids visited, signal gaps
alerts.py      the every-minute presence check: left the duty area / silent too long → the shift leaders
api.py         POST /api/v1/patrol/points/, GET /api/v1/patrol/tracks/ and /figures/
views.py       the console page /map/patrol/: a day's tracks on the map with the duty grids and the figures
"""
