"""Simulated couriers: pushes built and signed as each courier sends them, and a sender that
retries like the courier does (Kuaidi100 3 times 30 minutes apart, AfterShip 14 times doubling).
"""
