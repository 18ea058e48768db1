from rnnmigrate.layers import LSTMCell


def make(units=4):
    return LSTMCell(units)  # expect: RNN101=auto
