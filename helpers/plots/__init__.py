"""Plots of the course, one module per topic; each function draws on axes it is given or returns a figure."""
