"""热点分析: where problems cluster — heat tiles, rankings with their change, recurring problems (高发问题)."""
