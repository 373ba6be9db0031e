print("ptychite")
