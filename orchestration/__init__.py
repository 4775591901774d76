"""Dagster orchestration of the warehouse: definitions, the instance, and their preparation."""
