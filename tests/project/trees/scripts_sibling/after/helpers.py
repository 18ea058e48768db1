from rnnmigrate.layers import BasicLSTMCell


def build_cell(num_units):
    return BasicLSTMCell(num_units)  # expect: RNN101=auto
