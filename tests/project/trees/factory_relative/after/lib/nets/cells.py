from rnnmigrate.layers import GRUCell


def gru(units):
    cell = GRUCell(units)  # expect: RNN101=auto
    return cell
